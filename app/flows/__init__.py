"""Flows: what one thing a user does changes in several domains, in one transaction.

A flow composes the rules of the domains it touches (each rule stays in its domain's
service) and is the only place that knows they go together: a household's accept making a
tenancy (`contract`), a tenant moving on freeing a flat (`move_chain`), a vacancy withdrawn
with its proposal, a round writing its proposals, a case's candidates, an erasure. One file
per action, named for it. Flows sit above every domain: a domain never imports a flow; a
domain's router (HTTP only), the worker and the scenarios may (docs/architecture.md).
"""
