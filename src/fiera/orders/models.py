"""Orders: carts, checkout, orders, shipments (models land with the orders work)."""
