"""The admins' conversations, one module per flow: people (list, card, role, move, block), units
and crossing points (with their typed questions), invitations (make, list, revoke).

Each change goes ask → confirm → apply (through the rules layer) → refresh → notify; the
shared steps are in :mod:`bot.handlers.admin.flow`.
"""
