"""The admins' conversations, one module per flow; none holds a rule (those are bot/people.py,
bot/organisation.py, bot/inviting.py, bot/conversion.py, bot/reference.py).

- :mod:`~bot.handlers.admin.flow`: the one mechanism of a change asked with Yes/No
  (:class:`~bot.handlers.admin.flow.Confirmable`: check → ask → apply through the rules layer →
  tell the person → refresh the card), and the steps it is built of.
- :mod:`~bot.handlers.admin.typed`: the same for a change typed rather than tapped (open the
  question, Stop, Keep/Skip, save the last answer).
- People: ``users_list`` (/users, /user), ``person_card`` (the card, its buttons, telling the
  person), ``user_changes`` (move, block, unblock; the ``usr`` dispatcher), ``user_roles``.
- Units: ``unit_views`` (list, card, crossing points as shown), ``units`` (/units, deactivate,
  reactivate; the ``unt`` dispatcher), ``unit_questions`` and ``unit_answers`` (the typed
  code, names and coordinates), ``crossing_points`` (list, add, remove).
- Reference data: ``names`` (/names), ``factors`` (/factors).
- Invitations: ``invite_new`` (/invite), ``invite_list`` (/invites, revoke; the ``inv``
  dispatcher).
"""
