import type * as Vega from 'vega';
import type * as VegaLite from 'vega-lite';

/** vega and vega-lite's `compile`: the report's chart renderers. */
export interface VegaLibs {
  readonly vega: typeof Vega;
  readonly compile: typeof VegaLite.compile;
}

let libs: Promise<VegaLibs> | undefined;

/**
 * vega and vega-lite, imported once on first use (half a second of start-up that a training run
 * does not need). One after the other and memoised: concurrent dynamic imports of modules that
 * share dependencies break jest's ESM loader ("request for … is not in cache").
 */
export function vegaLibs(): Promise<VegaLibs> {
  libs ??= (async () => {
    const vega = await import('vega');
    const { compile } = await import('vega-lite');
    return { vega, compile };
  })();
  return libs;
}
