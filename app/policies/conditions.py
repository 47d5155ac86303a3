"""The conditions behind each contract form: which of the forms it asks for a household may
take now, and if not, why.

One function per condition, each returning the reason it rules the form out (None: it does
not). `form_refusals` applies them all; `policy_contract_forms` is what is left, and that
(through `forms_left`, app/policies/service.py) is what the round's problem carries as the
household's `contract_forms` (app/rounds/translate.py) — data, not a special case in the
solver — so the CP-SAT model, its bounds, the greedy start, the explanations and the
household's candidates view all judge by the same forms. `needs_refusal` reports a
household none of whose forms is left. The conditions stated per municipality are the
policy's (`PolicyWeights`); the training apartment's own (≥ 6 drug-free months, never
children, Västerås) is the solver's (`matching.eligibility.household_may_use_form`).
"""

from __future__ import annotations

from app.households.models import Household
from app.households.service import guarantee_kind_of, income_of
from app.policies.weights import Guarantee, PolicyWeights
from app.vocabulary import ContractForm, GuaranteeIncome, GuaranteeKind

GUARANTEE_FORM = ContractForm.first_hand_with_guarantee

SOCIAL_CONTRACT_FORMS: frozenset[str] = frozenset(
    {
        ContractForm.municipal_contract,
        ContractForm.training_apartment,
        ContractForm.support_agreement,
        ContractForm.short_term,
    }
)
"""The contract forms `min_drug_free_months` applies to: the municipality's social and
housing-social contracts, a second-hand or surety arrangement it stands behind. Karlstad:
"För att någon ska få ett socialt eller bostadssocialt kontrakt krävs minst sex månaders
drogfrihet", while "Bostad först" (`housing_first`) is a separate offer whose only demands
are weekly contact "och att hyreslagen följs", and the rent guarantees
(`first_hand_with_guarantee`) are a separate measure too."""


def own_income(household: Household) -> int:
    """Income of the household's own, SEK a month: salary, activity compensation, pension
    and other — not income support or housing allowance, which the sources set apart
    (Karlstad: "klienter som får försörjningsstöd" against "personer som har egen
    inkomst")."""
    income = income_of(household)
    return income.salary + income.activity_compensation + income.pension + income.other


def too_few_drug_free_months(policy: PolicyWeights, household: Household, form: str) -> str | None:
    """Karlstad: six months drug-free for a social or housing-social contract
    (`SOCIAL_CONTRACT_FORMS`), never for Housing First. `drug_free_months` null: not
    applicable (no substance history)."""
    months = household.drug_free_months
    if (
        form in SOCIAL_CONTRACT_FORMS
        and months is not None
        and months < policy.min_drug_free_months
    ):
        return f"fewer than {policy.min_drug_free_months} drug-free months"
    return None


def guarantee_fits(guarantee: Guarantee, household: Household) -> bool:
    """The household is one this guarantee is for: it receives income support (or has an
    income of its own) and its debts are within the guarantee's limit."""
    if guarantee.income == GuaranteeIncome.income_support:
        if income_of(household).income_support <= 0:
            return False
    elif own_income(household) <= 0:
        return False
    return guarantee.max_debts is None or (household.debts or 0) <= guarantee.max_debts


def no_rent_guarantee(policy: PolicyWeights, household: Household, form: str) -> str | None:
    """`first_hand_with_guarantee` — an own lease with the municipality's rent guarantee:
    only with a guarantee granted (`municipal_guarantee`) and, where the policy states its
    guarantees' terms, one whose terms the household meets (Karlstad: "Garantin omfattar
    klienter som får försörjningsstöd och som inte har skulder som uppgår till mer än
    10 000 kronor"; the municipal guarantee for "personer som har egen inkomst")."""
    if form != GUARANTEE_FORM:
        return None
    if not household.municipal_guarantee:
        return "no rent guarantee granted"
    terms = policy.guarantee_terms
    if terms and not any(guarantee_fits(g, household) for g in terms):
        limits = sorted({g.max_debts for g in terms if g.max_debts is not None})
        over = bool(limits) and (household.debts or 0) > limits[-1]
        return "debts above the rent guarantee's limit" if over else "rent guarantee terms not met"
    return None


def no_municipal_surety(policy: PolicyWeights, household: Household, form: str) -> str | None:
    """A form the policy offers only with the municipal surety (kommunal borgen) granted:
    Västerås' support agreement, "ett eget kontrakt med kommunal borgen"; Norrköping's
    three-month contract, "där kommunen går in med en form av kommunal borgen"."""
    if (
        form in policy.surety_required_for
        and guarantee_kind_of(household) != GuaranteeKind.municipal_surety
    ):
        return f"{form} needs the municipal surety"
    return None


def has_own_income(policy: PolicyWeights, household: Household, form: str) -> str | None:
    """A form the policy keeps for households without an income of their own (Norrköping:
    "För personer som saknar inkomst tecknas tremånaderskontrakt utan besittningsskydd")."""
    if form in policy.only_without_own_income and own_income(household) > 0:
        return f"{form} is for households without an own income"
    return None


CONDITIONS = (too_few_drug_free_months, no_rent_guarantee, no_municipal_surety, has_own_income)
"""Every contract-form condition of the policy, in the order their reasons are given."""


def form_refusals(policy: PolicyWeights, household: Household) -> dict[str, str]:
    """Per form the household asks for that it may not take now: the first condition's
    reason."""
    refused: dict[str, str] = {}
    for form in household.contract_forms or ():
        for condition in CONDITIONS:
            reason = condition(policy, household, form)
            if reason is not None:
                refused[form] = reason
                break
    return refused


def policy_contract_forms(policy: PolicyWeights, household: Household) -> tuple[str, ...]:
    """The household's contract forms (in its order) that every condition lets it take
    now. This is what the round's problem carries as the household's `contract_forms`, so
    the solver and the candidates view judge by the same forms: a Karlstad household asking
    for a municipal contract or Housing First with 0 drug-free months is matched to Housing
    First only; one on income support with debts above 10 000 SEK is never offered a
    guaranteed first-hand lease."""
    refused = form_refusals(policy, household)
    return tuple(form for form in household.contract_forms or () if form not in refused)
