// An urlencoded form body (`application/x-www-form-urlencoded`) → fields.

/** The fields of a form: a repeated name gives an array, in order, as the query does. */
export type FormFields = Record<string, string | string[]>;

export function parseForm(raw: Buffer): FormFields {
  const fields: FormFields = Object.create(null) as FormFields;
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) addField(fields, name, value);
  return fields;
}

/** Adds a field, turning a repeated name into an array. */
export function addField(fields: FormFields, name: string, value: string): void {
  const current = fields[name];
  if (current === undefined) fields[name] = value;
  else if (Array.isArray(current)) current.push(value);
  else fields[name] = [current, value];
}
