"""The sandbox: the whole bot in a browser, against the local stand-in, with demo people and data.

Importing the package is cheap (benchmarks read the demo report templates from it); the
runner, the seed and the web chat are in their own modules.
"""
