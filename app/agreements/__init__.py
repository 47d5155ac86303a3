"""Cooperation agreements (samarbetsavtal): quotas and letting rules per landlord and year."""
