// Numbers as people read them, in the page's language: the one formatter of the `number` view
// helper and of every text built in TypeScript that puts an amount into a translation. The
// ballot's script (views/static/budgets-ballot.js) formats with the same Intl call
// (`new Intl.NumberFormat(<html lang>)`), so a total the server wrote and one the script rewrote
// read the same ("10 000", with the narrow no-break space U+202F in French).

// Building an Intl formatter costs far more than using one: kept per language.
const formats = new Map<string, Intl.NumberFormat>();

export function formatNumber(value: number, lang: string): string {
  let format = formats.get(lang);
  if (!format) {
    format = new Intl.NumberFormat(lang);
    formats.set(lang, format);
  }
  return format.format(value);
}
