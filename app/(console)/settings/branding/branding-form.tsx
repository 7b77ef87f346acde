"use client";

import { useMemo, useState } from "react";
import { ApplyResetForm, type FieldKit } from "@/components/apply-reset-form";
import type { BrandingView } from "@/lib/campaigns/branding";
import { DEFAULT_SUBJECT, DEFAULT_TEXT, renderInvitation } from "@/lib/campaigns/template";
import { MAX_CUSTOM_TEXT, PLACEHOLDERS } from "@/lib/validations/branding";
import { ConsentHeader } from "@/app/consent/[token]/consent-header";
import { updateBrandingAction } from "./actions";

type Values = { mspName: string; supportEmail: string; supportUrl: string; customText: string; inviteSubject: string; inviteText: string };

const SAMPLE_CUSTOMER = "Contoso Ltd";
const placeholderList = PLACEHOLDERS.map((p) => `{{${p}}}`).join(" ");

function valuesOf(b: BrandingView): Values {
  return {
    mspName: b.mspName,
    supportEmail: b.supportEmail ?? "",
    supportUrl: b.supportUrl ?? "",
    customText: b.customText ?? "",
    inviteSubject: b.inviteSubject ?? DEFAULT_SUBJECT,
    inviteText: b.inviteText ?? DEFAULT_TEXT,
  };
}

export function BrandingForm({ branding, canEdit, appUrl }: { branding: BrandingView; canEdit: boolean; appUrl: string }) {
  return (
    <ApplyResetForm
      title="Branding"
      description="What your customers see: the consent pages name you and show your logo, and invitation emails use your template. Empty fields fall back to neutral defaults."
      version={branding.version}
      canEdit={canEdit}
      apply={updateBrandingAction}
      onApplied={(form) => {
        const file = form.elements.namedItem("logoFile");
        if (file instanceof HTMLInputElement) file.value = "";
      }}
      fields={(kit) => <BrandingFields key={branding.version + (branding.logoPath ?? "")} branding={branding} kit={kit} appUrl={appUrl} />}
    />
  );
}

function BrandingFields({ branding, kit, appUrl }: { branding: BrandingView; kit: FieldKit; appUrl: string }) {
  const [values, setValues] = useState<Values>(() => valuesOf(branding));
  const [newLogo, setNewLogo] = useState<string | null>(null);
  const [removeLogo, setRemoveLogo] = useState(false);

  function track(event: React.FormEvent<HTMLDivElement>) {
    const target = event.target as HTMLInputElement;
    if (target.name === "removeLogo") setRemoveLogo(target.checked);
    else if (target.name === "logoFile") {
      const file = target.files?.[0];
      if (!file) return setNewLogo(null);
      // A data: URL, so the sandboxed preview (an opaque origin) can show the chosen file before it is saved;
      // shown only once the browser could decode it as an image (the server checks the bytes again).
      const reader = new FileReader();
      reader.onload = () => {
        const url = typeof reader.result === "string" ? reader.result : null;
        if (!url) return setNewLogo(null);
        const probe = new Image();
        probe.onload = () => setNewLogo(url);
        probe.onerror = () => setNewLogo(null);
        probe.src = url;
      };
      reader.readAsDataURL(file);
    } else if (target.name in values) setValues((v) => ({ ...v, [target.name]: target.value }));
  }

  const logoUrl = removeLogo ? null : (newLogo ?? (branding.logoPath ? `${appUrl}${branding.logoPath}` : null));
  const email = useMemo(
    () =>
      renderInvitation({
        branding: {
          ...branding,
          mspName: values.mspName.trim(),
          supportEmail: values.supportEmail.trim() || null,
          supportUrl: values.supportUrl.trim() || null,
          customText: values.customText.trim() || null,
          inviteSubject: values.inviteSubject.trim() || null,
          inviteText: values.inviteText.trim() || null,
        },
        customerName: SAMPLE_CUSTOMER,
        adminEmail: "admin@contoso.com",
        link: `${appUrl}/consent/example-link`,
        expiresAt: new Date(Date.UTC(2030, 0, 15, 17, 0)),
        reminder: 0,
        logoUrl,
      }),
    [values, branding, appUrl, logoUrl],
  );

  return (
    <div className="contents" onChange={track}>
      {kit.text("mspName", "MSP name", { defaultValue: branding.mspName, hint: "Your company's name as customers know it. Example: Northwind IT Services" })}
      {kit.text("supportEmail", "Support email", { defaultValue: branding.supportEmail ?? "", hint: "Where customers can ask questions. Optional." })}
      {kit.text("supportUrl", "Support URL", { defaultValue: branding.supportUrl ?? "", hint: "A help page, https:// only. Optional." })}
      {kit.file("logoFile", "Logo", {
        accept: "image/png,image/jpeg,image/webp",
        hint: branding.logoPath
          ? "A logo is set. Choose a file to replace it: PNG, JPEG or WebP, at most 256 KB and 1024×1024 pixels."
          : "PNG, JPEG or WebP, at most 256 KB and 1024×1024 pixels. SVG is not accepted.",
      })}
      {branding.logoPath && kit.checkbox("removeLogo", "Remove the logo", { defaultChecked: false, hint: "Customers then see your name only." })}
      {kit.textarea("customText", "Custom text", {
        wide: true,
        rows: 3,
        defaultValue: branding.customText ?? "",
        hint: `Plain text shown on the consent page and at the end of invitation emails, at most ${MAX_CUSTOM_TEXT} characters. Optional.`,
      })}
      {kit.text("inviteSubject", "Invitation subject", { wide: true, defaultValue: values.inviteSubject, hint: `Placeholders: ${placeholderList}` })}
      {kit.textarea("inviteText", "Invitation text", {
        wide: true,
        rows: 10,
        defaultValue: values.inviteText,
        hint: `Placeholders: ${placeholderList}. {{link}} is required. Reminders use the same text, with "Reminder:" before the subject.`,
      })}
      <section aria-labelledby="branding-preview" className="space-y-4 md:col-span-2">
        <div>
          <h3 id="branding-preview" className="text-sm font-semibold text-slate-800">
            Preview
          </h3>
          <p className="text-xs text-slate-500">For a sample customer, {SAMPLE_CUSTOMER}; updates as you type. Nothing is sent.</p>
        </div>
        <div className="rounded-lg border border-slate-200 bg-slate-50 p-4">
          <p className="mb-2 text-xs font-medium tracking-wide text-slate-500 uppercase">Consent page</p>
          <div className="rounded-lg border border-slate-200 bg-white p-4">
            <ConsentHeader mspName={values.mspName.trim()} logoUrl={logoUrl} customerName={SAMPLE_CUSTOMER} />
            {values.customText.trim() && <p className="mt-3 text-sm whitespace-pre-line text-slate-700">{values.customText.trim()}</p>}
          </div>
        </div>
        <div className="rounded-lg border border-slate-200 bg-slate-50 p-4">
          <p className="mb-2 text-xs font-medium tracking-wide text-slate-500 uppercase">Invitation email</p>
          <p className="text-sm">
            <span className="text-slate-500">Subject: </span>
            <span data-testid="preview-subject">{email.subject}</span>
          </p>
          <div className="mt-3 space-y-3">
            <p className="text-xs font-medium text-slate-500">HTML part</p>
            {/* sandbox="": the preview runs no script and reaches nothing of the console's origin. */}
            <iframe title="Invitation email (HTML)" sandbox="" srcDoc={email.html} className="h-[30rem] w-full rounded-md border border-slate-200 bg-white" />
            <pre
              aria-label="Invitation email (plain text)"
              className="max-h-72 overflow-auto rounded-md border border-slate-200 bg-white p-3 text-xs whitespace-pre-wrap"
            >
              {email.text}
            </pre>
          </div>
        </div>
      </section>
    </div>
  );
}
