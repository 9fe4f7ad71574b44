/**
 * The seed of every property-based test: fixed so CI is repeatable; set PARLEY_FC_SEED to explore
 * other cases locally (fast-check prints the seed and path of any counterexample it finds).
 */
export const PROPERTY_SEED = Number(process.env.PARLEY_FC_SEED ?? 20261125);
