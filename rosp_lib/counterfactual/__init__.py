"""What-if on the rules: what a pharmacy can still gain (`gains`) and whether it was paid right
(`reconcile`). Both recompute counterfactual inputs or parameters through `rosp_lib.engine.compute`:
there is no second rule path."""
