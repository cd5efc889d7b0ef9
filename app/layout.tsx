// The console's frame: the tRPC/React Query provider around every page.
import type { ReactNode } from 'react';
import { TrpcProvider } from '../components/trpc/client';
import './globals.css';

export const metadata = { title: 'Podvisor', description: 'Hardware-virtualized pods: QEMU VMs with containers inside' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcProvider>{children}</TrpcProvider>
      </body>
    </html>
  );
}
