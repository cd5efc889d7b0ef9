// Saves text the page already holds as a file, through a blob URL.
export function downloadText(text: string, filename: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  Object.assign(document.createElement('a'), { href: url, download: filename }).click();
  // The download reads the blob after click() returns: revoking at once can fail it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
