"""Tenancies: what a contracted proposal becomes, counted toward the landlord's quota."""
