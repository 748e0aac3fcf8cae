/**
 * A small structural check for data read back from a file: that every field a reader relies on is there with the
 * right type. Fields it does not name are ignored, so a newer writer's additional (optional) fields pass through.
 */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'string|null'
  | 'number|null'
  | 'any'
  | { readonly array: Shape }
  | { readonly nullable: Shape }
  /** One of several object shapes, chosen by the value of `on`; values not listed only need `on` to be a string. */
  | { readonly union: string; readonly cases: Readonly<Record<string, Shape>> }
  | { readonly [field: string]: Shape };

/** The first problem found, as a path and what was wrong (`calls[3].issuedAt: expected a number, got null`). */
export function shapeProblem(value: unknown, shape: Shape, path = ''): string | null {
  const at = path === '' ? 'the top level' : path;
  if (typeof shape === 'string') {
    if (shape === 'any') return null;
    const [type, orNull] = shape.split('|') as [string, string | undefined];
    if (value === null && orNull === 'null') return null;
    if (typeof value === type && (type !== 'number' || Number.isFinite(value))) return null;
    return `${at}: expected ${type === 'number' ? 'a number' : `a ${type}`}${orNull ? ' or null' : ''}, got ${describe(value)}`;
  }
  if (isArrayShape(shape)) {
    if (!Array.isArray(value)) return `${at}: expected a list, got ${describe(value)}`;
    for (let i = 0; i < value.length; i += 1) {
      const problem = shapeProblem(value[i], shape.array, `${path}[${i}]`);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (isNullableShape(shape)) return value === null ? null : shapeProblem(value, shape.nullable, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${at}: expected an object, got ${describe(value)}`;
  }
  const record = value as Record<string, unknown>;
  if (isUnionShape(shape)) {
    const tag = record[shape.union];
    if (typeof tag !== 'string') return `${join(path, shape.union)}: expected a string, got ${describe(tag)}`;
    const chosen = shape.cases[tag];
    return chosen === undefined ? null : shapeProblem(value, chosen, path);
  }
  for (const [field, fieldShape] of Object.entries(shape as Record<string, Shape>)) {
    const problem = shapeProblem(record[field], fieldShape, join(path, field));
    if (problem !== null) return problem;
  }
  return null;
}

function isArrayShape(shape: Shape): shape is { array: Shape } {
  return typeof shape === 'object' && Object.keys(shape).length === 1 && 'array' in shape;
}

function isNullableShape(shape: Shape): shape is { nullable: Shape } {
  return typeof shape === 'object' && Object.keys(shape).length === 1 && 'nullable' in shape;
}

function isUnionShape(shape: Shape): shape is { union: string; cases: Record<string, Shape> } {
  return typeof shape === 'object' && typeof (shape as { union?: unknown }).union === 'string' && 'cases' in shape;
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : String(value);
}
