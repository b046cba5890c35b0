// One palette for every view (charts, tables, graph legend), so a condition has the same colour everywhere.
export const CONDITION_COLORS: Record<string, string> = {
  control: '#6b7280',
  treatment_info_message: '#2563eb',
  treatment_soc_message: '#dc2626',
  experiment_info_message: '#7c3aed',
  experiment_soc_message: '#ea580c',
  warmup: '#9ca3af',
};

const EXTRA = ['#0d9488', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

export function conditionColor(name: string, index = 0): string {
  return CONDITION_COLORS[name] ?? EXTRA[index % EXTRA.length];
}
