/** The width of text made only of one-column characters (its length), else undefined. */
export function plainTextWidth(text: string, options?: object): number | undefined;
/** `string-width`'s signature: the terminal columns `text` takes. */
export default function stringWidth(text: string, options?: object): number;
