/** The shape a translation must have: every key of the English original, every leaf a string. */
export type Dictionary<T> = { [K in keyof T]: T[K] extends string ? string : Dictionary<T[K]> };
