// Turns `ps` table output into records keyed by the lower-cased column headers; the last
// column (usually the command line) keeps its spaces.
export function parsePsTable(output: string): Record<string, string>[] {
  const [headerLine, ...rows] = output.split('\n').filter((line) => line.trim());
  if (!headerLine) return [];
  const columns = headerLine.trim().split(/\s+/).map((h) => h.toLowerCase());
  return rows.map((row) => {
    const fields = row.trim().split(/\s+/);
    const record: Record<string, string> = {};
    columns.forEach((column, i) => {
      record[column] = i === columns.length - 1 ? fields.slice(i).join(' ') : (fields[i] ?? '');
    });
    return record;
  });
}
