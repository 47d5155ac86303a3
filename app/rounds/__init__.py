"""Match rounds: a solver run over one municipality's open vacancies and needs."""
