// Passkeys, as progressive enhancement: without JavaScript or WebAuthn the
// passkey controls stay hidden and people sign in with a password.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js-enabled");
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }
  root.classList.add("passkeys-supported");

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var text = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfOf(form) {
    var field = form.querySelector('input[name="csrf"]');
    return field ? field.value : "";
  }

  // Posts JSON; resolves with the reply, or rejects with an Error whose
  // message is the server's plain-English explanation.
  function post(form, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrfOf(form) },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (reply) {
        if (!response.ok) {
          var problem = new Error((reply.error && reply.error.message) ||
            "Something went wrong. Try again, or sign in with your password");
          throw problem;
        }
        return reply;
      });
    });
  }

  // Shows a message the way the server does: in the field's group, announced,
  // with the id "<field>-error" that the field is described by.
  function showError(group, message, field) {
    var old = group.querySelector(".error-message");
    if (old) old.remove();
    var error = document.createElement("span");
    error.className = "error-message";
    error.id = field + "-error";
    error.setAttribute("role", "alert");
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = "Error: ";
    error.appendChild(hidden);
    error.appendChild(document.createTextNode(message));
    group.classList.add("form-group--error");
    var control = group.querySelector("input, button");
    group.insertBefore(error, control);
    var described = (control.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf(error.id) < 0) described.push(error.id);
    control.setAttribute("aria-describedby", described.join(" ").trim());
  }

  function cancelled(problem) {
    return problem && (problem.name === "NotAllowedError" || problem.name === "AbortError");
  }

  // The browser's answer as JSON, each binary field in base64url.
  function credentialJSON(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    }
    if (r.authenticatorData) {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      response.userHandle = r.userHandle ? toBase64url(r.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      extensions: credential.getClientExtensionResults()
    };
  }

  // One ceremony: the server starts it, the browser asks the person (`ask`), the
  // server checks the answer and says where to go next.
  function ceremony(form, startUrl, startBody, ask, finishUrl, onError) {
    post(form, startUrl, startBody).then(function (begun) {
      return ask(begun.options.publicKey).then(function (credential) {
        return post(form, finishUrl, { ceremony: begun.ceremony, credential: credentialJSON(credential) });
      });
    }).then(function (done) {
      window.location.assign(done.redirect);
    }).catch(onError);
  }

  var register = document.getElementById("passkey-register");
  if (register) {
    register.addEventListener("submit", function (event) {
      event.preventDefault();
      ceremony(register, "/account/passkeys/start", {}, function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({ publicKey: options });
      }, "/account/passkeys/finish", function (problem) {
        showError(document.getElementById("passkey-register-group"), cancelled(problem)
          ? "The passkey was not added. Try again when you are ready"
          : problem.message, "passkey-register");
      });
    });
  }

  // Sign-in names no account: the browser offers the passkeys it keeps for
  // this site, and the one chosen says whose it is.
  var signIn = document.getElementById("passkey-sign-in");
  if (signIn) {
    signIn.addEventListener("click", function () {
      ceremony(signIn.form, "/sign-in/passkey/start", {}, function (options) {
        options.challenge = toBytes(options.challenge);
        (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({ publicKey: options });
      }, "/sign-in/passkey/finish", function (problem) {
        showError(document.getElementById("passkey-sign-in-group"), cancelled(problem)
          ? "You did not confirm with your passkey. Try again, or sign in with your password"
          : problem.message, "passkey-sign-in");
        signIn.focus();
      });
    });
  }
})();
