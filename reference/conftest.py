"""Loads the reference's pytest plugin for every test under this folder."""

from reference._support.plugin import *  # noqa: F401,F403  (pytest finds hooks and fixtures by name)
