// Builds an xterm.js terminal in the browser (loaded on demand: it needs `window`): fit, web links,
// search and unicode11, and the WebGL renderer when the user prefers it and WebGL2 works (else DOM).
import type { SearchAddon } from '@xterm/addon-search';
import type { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface XtermHandle {
  terminal: Terminal;
  search: SearchAddon;
  dispose(): void;
}

const RENDERER_KEY = 'podvisor.terminal.renderer';
export type RendererChoice = 'webgl' | 'dom';

export function rendererChoice(): RendererChoice {
  return localStorage.getItem(RENDERER_KEY) === 'dom' ? 'dom' : 'webgl';
}

export function setRendererChoice(choice: RendererChoice) {
  localStorage.setItem(RENDERER_KEY, choice);
}

const REFIT_DEBOUNCE_MS = 100;

export async function createXterm(host: HTMLElement, { readOnly, convertEol = false }: { readOnly: boolean; convertEol?: boolean }): Promise<XtermHandle> {
  const [{ Terminal }, { FitAddon }, { WebLinksAddon }, { SearchAddon }, { Unicode11Addon }] = await Promise.all([
    import('@xterm/xterm'),
    import('@xterm/addon-fit'),
    import('@xterm/addon-web-links'),
    import('@xterm/addon-search'),
    import('@xterm/addon-unicode11'),
  ]);
  const terminal = new Terminal({
    allowProposedApi: true,
    convertEol,
    disableStdin: readOnly,
    cursorBlink: !readOnly,
    scrollback: 5000,
    fontFamily: "ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, monospace",
    fontSize: 13,
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  terminal.loadAddon(fit);
  terminal.loadAddon(search);
  terminal.loadAddon(new Unicode11Addon());
  // Links in output are untrusted: open them detached from this page.
  terminal.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
  terminal.unicode.activeVersion = '11';
  terminal.open(host);
  if (rendererChoice() === 'webgl' && document.createElement('canvas').getContext('webgl2')) {
    try {
      const { WebglAddon } = await import('@xterm/addon-webgl');
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose()); // back to the DOM renderer
      terminal.loadAddon(webgl);
    } catch {
      // WebGL2 advertised but unusable (some GPUs, iOS Safari): the DOM renderer stays.
    }
  }
  host.dataset.renderer = terminal.element?.querySelector('canvas') ? 'webgl' : 'dom';
  fit.fit();
  let refit: ReturnType<typeof setTimeout> | undefined;
  const observer = new ResizeObserver(() => {
    clearTimeout(refit);
    refit = setTimeout(() => fit.fit(), REFIT_DEBOUNCE_MS);
  });
  observer.observe(host);
  return {
    terminal,
    search,
    dispose() {
      clearTimeout(refit);
      observer.disconnect();
      terminal.dispose();
    },
  };
}
