// Locale-aware number formatting without Intl (the widget engine ships no locale data): the
// conventions of the locales Summit tenants use, falling back to the language, then to en.

interface NumberConventions {
  group: string;
  decimal: string;
  /** Indian grouping: 12,34,567 */
  indian?: boolean;
  /** Currency symbol after the number ("1.234,50 €") rather than before ("€1,234.50"). */
  currencyAfter: boolean;
  /** Compact suffixes for thousand, million, billion. */
  compact: [string, string, string];
}

const NBSP = '\u00a0';
const NNBSP = '\u202f';

const BY_LANGUAGE: Record<string, NumberConventions> = {
  en: { group: ',', decimal: '.', currencyAfter: false, compact: ['K', 'M', 'B'] },
  de: { group: '.', decimal: ',', currencyAfter: true, compact: [`${NBSP}Tsd.`, `${NBSP}Mio.`, `${NBSP}Mrd.`] },
  nl: { group: '.', decimal: ',', currencyAfter: false, compact: ['K', `${NBSP}mln.`, `${NBSP}mld.`] },
  es: { group: '.', decimal: ',', currencyAfter: true, compact: [`${NBSP}mil`, `${NBSP}M`, `${NBSP}mil${NBSP}M`] },
  it: { group: '.', decimal: ',', currencyAfter: true, compact: ['K', `${NBSP}Mln`, `${NBSP}Mrd`] },
  pt: { group: '.', decimal: ',', currencyAfter: true, compact: [`${NBSP}mil`, `${NBSP}mi`, `${NBSP}bi`] },
  fr: { group: NNBSP, decimal: ',', currencyAfter: true, compact: [`${NBSP}k`, `${NBSP}M`, `${NBSP}Md`] },
  sv: { group: NBSP, decimal: ',', currencyAfter: true, compact: [`${NBSP}tn`, `${NBSP}mn`, `${NBSP}md`] },
  pl: { group: NBSP, decimal: ',', currencyAfter: true, compact: [`${NBSP}tys.`, `${NBSP}mln`, `${NBSP}mld`] },
  ja: { group: ',', decimal: '.', currencyAfter: false, compact: ['K', 'M', 'B'] },
};
const BY_LOCALE: Record<string, NumberConventions> = {
  'en-IN': { ...BY_LANGUAGE.en!, indian: true, compact: ['K', `${NBSP}L`, `${NBSP}Cr`] },
  'de-CH': { ...BY_LANGUAGE.de!, group: '’', decimal: '.', currencyAfter: false },
  'pt-BR': { ...BY_LANGUAGE.pt!, currencyAfter: false },
};

const SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', JPY: '¥', INR: '₹', CHF: 'CHF', SEK: 'kr', PLN: 'zł', BRL: 'R$' };

export function conventions(locale: string): NumberConventions {
  return BY_LOCALE[locale] ?? BY_LANGUAGE[locale.split('-')[0]!.toLowerCase()] ?? BY_LANGUAGE.en!;
}

function group(int: string, c: NumberConventions): string {
  if (c.indian && int.length > 3) {
    const head = int.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, c.group);
    return `${head}${c.group}${int.slice(-3)}`;
  }
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, c.group);
}

export interface FormatOptions {
  locale: string;
  decimals?: number;
  /** ISO 4217 code: formats as money, with the locale's symbol placement. */
  currency?: string;
  /** 1.2M instead of 1,234,567. */
  compact?: boolean;
}

export function formatNumber(value: number, opts: FormatOptions): string {
  const c = conventions(opts.locale);
  let v = Math.abs(value);
  let suffix = '';
  let decimals = Math.min(Math.max(Math.trunc(opts.decimals ?? (opts.currency ? 2 : 0)), 0), 6);
  if (opts.compact && v >= 1000) {
    const steps = c.indian ? [1e3, 1e5, 1e7] : [1e3, 1e6, 1e9];
    let i = steps.length - 1;
    while (i > 0 && v < steps[i]!) i--;
    v /= steps[i]!;
    suffix = c.compact[i]!;
    decimals = v < 10 ? 1 : 0;
  }
  const [int, frac] = v.toFixed(decimals).split('.');
  let text = `${group(int!, c)}${frac ? c.decimal + frac : ''}${suffix}`;
  if (opts.currency) {
    const sym = SYMBOLS[opts.currency.toUpperCase()] ?? opts.currency.toUpperCase();
    text = c.currencyAfter ? `${text}${NBSP}${sym}` : `${sym}${sym.length > 1 && /[A-Z]$/.test(sym) ? NBSP : ''}${text}`;
  }
  return value < 0 ? `-${text}` : text;
}
