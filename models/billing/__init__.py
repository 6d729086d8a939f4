"""Billing: pricing a bill's inputs into lines that explain themselves."""
