// Passkeys: progressive enhancement. Without JavaScript, people sign in with a password.
document.documentElement.classList.add("js-enabled");
