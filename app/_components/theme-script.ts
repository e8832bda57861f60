// The inline script in <head> that sets the theme before first paint, so the page never flashes
// the wrong theme. It is a plain module (not part of the "use client" toggle) because the proxy
// hashes this exact text for the Content-Security-Policy (lib/http/security-headers.ts).
export const themeScript = `(function(){try{var t=localStorage.getItem("academy-theme");if(t!=="light"&&t!=="dark"){t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light"}document.documentElement.dataset.theme=t}catch(e){}})();`;
