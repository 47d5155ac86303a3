"""Flows: what one thing a user does changes in several domains, in one transaction.

A flow composes the rules of the domains it touches (each rule stays in its domain's
service) and is the one place that knows they go together and in which order the parties
are told. One file per action, named for it:

- `contract`: the household's side accepts, and the proposal becomes a tenancy;
- `move_chain`: a tenant's move-on need, and the flat its move frees;
- `vacancy_withdrawal`: a landlord withdraws a vacancy, and its live proposal with it;
- `match_round` (with `round_scheduler`, how the request gets it run): a round expires
  overdue proposals, solves, and writes its proposals;
- `candidates`: what one household could get now, judged as a round would;
- `erasure`: a closed case's personal data removed everywhere it is kept.

Flows sit above every domain: a domain never imports a flow; a domain's router (HTTP
only), the worker and the scenarios may.
"""
