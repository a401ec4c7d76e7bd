/**
 * Sample types that carry their invariants: a non-empty array, and sorted samples that only
 * {@link sortSamples} can produce. Every statistic that needs order takes `SortedSamples`, so
 * empty or unsorted input is ruled out by the types, not re-checked in each function.
 */

/** An array with at least one element. */
export type NonEmpty<T> = readonly [T, ...T[]];

declare const sortedBrand: unique symbol;

/**
 * Finite numbers in ascending order, at least one. Produced only by {@link sortSamples} (or the
 * accumulator's `sorted()`), which copies its input: treat it as read-only.
 */
export type SortedSamples = Float64Array & { readonly [sortedBrand]: true };

/** Type guard: narrows an array to {@link NonEmpty}. */
export function isNonEmpty<T>(values: readonly T[]): values is NonEmpty<T> {
  return values.length > 0;
}

/** Maps a non-empty array to a non-empty array. */
export function mapNonEmpty<T, U>(values: NonEmpty<T>, map: (value: T, index: number) => U): NonEmpty<U> {
  return values.map(map) as unknown as NonEmpty<U>;
}

/**
 * Copies and sorts samples ascending.
 * @param values finite numbers, at least one (any unit; the result keeps it)
 * @throws RangeError on an empty typed array or a non-finite value (NaN, ±Infinity)
 */
export function sortSamples(values: NonEmpty<number> | Float64Array): SortedSamples {
  if (values.length === 0) throw new RangeError("cannot sort an empty sample: at least one value is needed");
  const copy = Float64Array.from(values);
  for (let i = 0; i < copy.length; i++) {
    if (!Number.isFinite(copy[i]))
      throw new RangeError(`sample value ${i} is not a finite number: ${copy[i]}`);
  }
  // Typed-array sort is numeric (not lexicographic) and in place on the copy.
  return copy.sort() as SortedSamples;
}
