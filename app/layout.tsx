import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "./_components/providers";
import { themeScript } from "./_components/theme-script";
import { ThemeToggle } from "./_components/theme-toggle";
import { CourseLinks, UserMenu } from "./_components/user-menu";
import "./globals.css";
import "./_components/mdx/mdx.css";
import "./_components/labs/labs.css";

export const metadata: Metadata = {
  title: { default: "Academy", template: "%s · Academy" },
  description: "Hands-on training that turns data scientists and software engineers into ML engineers.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <Providers>
          <a href="#main" className="skip-link">
            Skip to content
          </a>
          <header className="site-header">
            <nav aria-label="Main" className="site-nav">
              <Link href="/" className="brand">
                Academy
              </Link>
              <CourseLinks />
              <span className="spacer" />
              <UserMenu />
              <ThemeToggle />
            </nav>
          </header>
          <main id="main" className="site-main">
            {children}
          </main>
          <footer className="site-footer">
            <p>Academy — open-source training for ML engineers.</p>
          </footer>
        </Providers>
      </body>
    </html>
  );
}
