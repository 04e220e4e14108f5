// Vite's module types used by the sources (CSS imported as a string with `?inline`).
declare module "*.css?inline" {
  const css: string;
  export default css;
}
