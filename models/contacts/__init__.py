"""Contacts (every interaction with a customer) and service notes kept on a service point."""
