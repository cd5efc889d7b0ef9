// The document around every page: the CSP nonce, the saved theme, the tRPC client and toasts. The
// console's shell (navigation, shortcuts) is app/(console)/layout.tsx; the login pages go without it.
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { TrpcProvider } from '../components/trpc/client';
import { THEME_KEY } from '../components/ui/theme-toggle';
import { ToastProvider } from '../components/ui/toast';
import './globals.css';

export const metadata = { title: 'Podvisor', description: 'Hardware-virtualized pods: QEMU VMs with containers inside' };

// Applies a saved light/dark choice before the first paint (no flash of the wrong theme).
const APPLY_SAVED_THEME = `try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

/** The CSP nonce the console server put on this request (server/http/pages.ts); reading it renders every page per request. */
async function cspNonce(): Promise<string | undefined> {
  const policy = (await headers()).get('content-security-policy') ?? '';
  return /'nonce-([^']+)'/.exec(policy)?.[1];
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = await cspNonce();
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: APPLY_SAVED_THEME }} />
      </head>
      <body>
        <TrpcProvider>
          <ToastProvider>{children}</ToastProvider>
        </TrpcProvider>
      </body>
    </html>
  );
}
