// nav.ts: navigation between pages (the router registers itself here).
let routeFn: () => void = () => undefined;

export function setRoute(fn: () => void): void {
  routeFn = fn;
}

// Shows `path` ("/users/alice"); re-renders when it is already shown.
export function go(path: string): void {
  if (location.hash === `#${path}`) routeFn();
  else location.hash = path;
}
