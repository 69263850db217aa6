export * from './resources.ts';
export * from './object.ts';
