"""Running one `MPModelProto` through OR-Tools: GLOP, HiGHS (LP or MIP) or CP-SAT."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from ortools.linear_solver import linear_solver_pb2 as pb
from ortools.linear_solver import pywraplp

from matching.model import I64, PairModel

Resp: TypeAlias = Any  # MPSolutionResponse (the protobuf stubs are untyped)

OPTIMAL = pb.MPSOLVER_OPTIMAL
FEASIBLE = pb.MPSOLVER_FEASIBLE
INFEASIBLE = pb.MPSOLVER_INFEASIBLE


def run(
    model: PairModel,
    kind: str,
    seconds: float,
    workers: int,
    seed: int,
    deterministic_limit: float | None = None,
) -> Resp:
    """Solve the model's proto with GLOP (kind "lp"), HiGHS ("highs") or CP-SAT ("cpsat")."""
    request = pb.MPModelRequest(model=model.proto)
    if kind != "cpsat":
        # HiGHS crashes on partial hints through the proto interface; GLOP ignores them.
        request.model.ClearField("solution_hint")
    request.solver_time_limit_seconds = max(0.05, seconds)
    request.enable_internal_solver_output = False
    if kind == "lp":
        request.solver_type = pb.MPModelRequest.GLOP_LINEAR_PROGRAMMING
        request.solver_specific_parameters = f"random_seed: {seed}"
    elif kind == "highs_lp":
        request.solver_type = pb.MPModelRequest.HIGHS_LINEAR_PROGRAMMING
        request.solver_specific_parameters = "output_flag=false\n"
    elif kind == "highs":
        request.solver_type = pb.MPModelRequest.HIGHS_MIXED_INTEGER_PROGRAMMING
        request.solver_specific_parameters = f"output_flag=false\nrandom_seed={seed}\n"
    else:
        request.solver_type = pb.MPModelRequest.SAT_INTEGER_PROGRAMMING
        request.solver_specific_parameters = (
            f"num_workers: {max(1, workers)} interleave_search: true random_seed: {seed} "
            "log_search_progress: false"
        )
        if deterministic_limit is not None:
            request.solver_specific_parameters += f" max_deterministic_time: {deterministic_limit}"
    response = pb.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    return response


def chosen_of(model: PairModel, response: Resp) -> I64:
    """The columns set to one in a response."""
    values = np.asarray(response.variable_value[: len(model.cols)], dtype=np.float64)
    return model.cols[values > 0.5]
