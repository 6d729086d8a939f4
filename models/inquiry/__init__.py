"""The customer-service inquiry: finding a service point by whatever the caller knows, and everything
about it that the service point view shows (the reference document's thirteen sections)."""
