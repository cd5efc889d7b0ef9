// The console's frame: providers, the left navigation, toasts and keyboard shortcuts around every page.
import type { ReactNode } from 'react';
import { Sidebar } from '../components/shell/sidebar';
import { TrpcProvider } from '../components/trpc/client';
import { KeyboardShortcuts } from '../components/ui/keyboard-shortcuts';
import { THEME_KEY } from '../components/ui/theme-toggle';
import { ToastProvider } from '../components/ui/toast';
import './globals.css';

export const metadata = { title: 'Podvisor', description: 'Hardware-virtualized pods: QEMU VMs with containers inside' };

// Applies a saved light/dark choice before the first paint (no flash of the wrong theme).
const APPLY_SAVED_THEME = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: APPLY_SAVED_THEME }} />
      </head>
      <body>
        <TrpcProvider>
          <ToastProvider>
            <div className="shell">
              <Sidebar />
              <main className="main">{children}</main>
            </div>
            <KeyboardShortcuts />
          </ToastProvider>
        </TrpcProvider>
      </body>
    </html>
  );
}
