export { toTable, columnsFor, printerFor, parseIncludeObject } from './table.ts';
export type { Table, TableRow, TableOptions, IncludeObject } from './table.ts';
export type { ColumnDefinition, Cell, Printer, RowCondition } from './types.ts';
export { tableAccept, parseAccept, acceptsAs } from './accept.ts';
export type { MediaRange } from './accept.ts';
export { humanDuration, ageSince } from './duration.ts';
export { summarizePod } from './pods.ts';
