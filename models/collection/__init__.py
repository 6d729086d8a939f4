"""Collection: payments from every channel, their allocation to bills, customer debt (issue: collection)."""
