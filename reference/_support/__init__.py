"""Machinery shared by the reference tests: markers, version gates, results, rendering.

The underscore keeps this folder from ever becoming a docs page.
"""
