/** The children that are there: sections drawn only when they have data leave nulls behind. */
export function present(...children: (HTMLElement | null | false | undefined)[]): HTMLElement[] {
  return children.filter((c): c is HTMLElement => !!c);
}
