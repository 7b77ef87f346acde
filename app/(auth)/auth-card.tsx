/** The sign-in page's frame, for the other pages a person sees before the console (password choice, invitation). */
export function AuthCard({ title, intro, children }: { title: string; intro: string; children: React.ReactNode }) {
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <main id="main" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4 focus:outline-none">
        <div className="w-full max-w-sm">
          <div className="mb-6 text-center">
            {/* eslint-disable-next-line @next/next/no-img-element -- a 40 px SVG from public/, nothing to optimise */}
            <img src="/logo.svg" alt="" width={40} height={40} className="mx-auto mb-3 h-10 w-10" />
            <h1 className="text-xl font-semibold">{title}</h1>
            <p className="mt-1 text-sm text-slate-600">{intro}</p>
          </div>
          <div className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
        </div>
      </main>
    </>
  );
}
