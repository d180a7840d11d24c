"""The model and its exact numerics: FactorModel, units, the checked solve, effects,
propagation, FCM."""
