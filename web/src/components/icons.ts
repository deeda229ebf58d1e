// Stroke icons on a 24×24 grid, drawn for this app (no icon font: fonts and inline SVG
// sprites from CDNs would be blocked by the CSP anyway).
export const ICON_PATHS = {
  logo: 'M13 2 4.5 13.5H11L10 22l8.5-11.5H12L13 2Z',
  overview: 'M4 20V11M10 20V5M16 20v-6M21 20H3',
  docs: 'M5 4.5A1.5 1.5 0 0 1 6.5 3H19v15H6.5A1.5 1.5 0 0 0 5 19.5v-15ZM5 19.5A1.5 1.5 0 0 0 6.5 21H19M9 7h6',
  sun: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8ZM12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4',
  moon: 'M20.5 14.1A8.5 8.5 0 1 1 9.9 3.5a7 7 0 0 0 10.6 10.6Z',
  system: 'M3 4.5h18v11H3v-11ZM8.5 20h7M12 15.5V20',
  menu: 'M4 6h16M4 12h16M4 18h16',
  close: 'M6 6l12 12M18 6 6 18',
  external: 'M14 4h6v6M20 4l-8.5 8.5M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5',
  copy: 'M9 9h11v11H9V9ZM5 15H4V4h11v1',
  check: 'M5 12.5 10 17.5 19 7',
  alert: 'M12 3.5 21.5 20h-19L12 3.5ZM12 10v4.5M12 17.5v.01',
  refresh: 'M20 12a8 8 0 1 1-2.34-5.66M20 4v5h-5',
  terminal: 'M3.5 4.5h17v15h-17v-15ZM7.5 9.5l3 2.5-3 2.5M13 15h3.5',
  database:
    'M4 6c0-1.66 3.58-3 8-3s8 1.34 8 3-3.58 3-8 3-8-1.34-8-3ZM4 6v12c0 1.66 3.58 3 8 3s8-1.34 8-3V6M4 12c0 1.66 3.58 3 8 3s8-1.34 8-3',
  tag: 'M3 12V4h8l10 10-8 8-10-10ZM7.5 7.5v.01',
  pulse: 'M3 12h4l3-7 4 14 3-7h4',
  compass: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18ZM15.5 8.5l-2 5-5 2 2-5 5-2Z',
  arrowRight: 'M5 12h14M13 6l6 6-6 6',
  info: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18ZM12 11v5M12 8v.01',
} as const

export type IconName = keyof typeof ICON_PATHS
