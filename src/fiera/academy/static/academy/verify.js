// The verification form: choosing a file clears the pasted text (the file is what is checked),
// and typing in the text clears the chosen file.
document.addEventListener("DOMContentLoaded", () => {
  const paste = document.querySelector("[data-verify-paste]");
  const file = document.querySelector("[data-verify-file]");
  if (!paste || !file) return;
  file.addEventListener("change", () => { if (file.files.length) paste.value = ""; });
  paste.addEventListener("input", () => { if (paste.value) file.value = ""; });
});
