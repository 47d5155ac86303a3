"""Vacancies (lediga lägenheter) posted by landlords under their own references."""
