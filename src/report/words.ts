/** "1 caller", "2 callers": counts in a report read as sentences. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
