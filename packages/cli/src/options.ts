// Parsing of option values, one parser per kind of value for every command (commander's option
// parsers and `skiff server`'s settings alike). Each accepts digits only (no sign, exponent, hex,
// blanks or empty string, which Number() would take) and throws an Error with a message fit for
// the user; commander shows it after the option's name, the server's settings after the value.
import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('not a port number (0 to 65535)');
  return Number(value);
}

export function parseWholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
}
