export * from './resources.ts';
export * from './object.ts';
export * from './quantity.ts';
export * from './intorstr.ts';
