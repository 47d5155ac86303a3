"""Landlords (hyresvärdar): public housing companies and private owners."""
