"""Optional: a language model writes the answer, and we check every citation it makes.

Any OpenAI-compatible chat endpoint works (Ollama, llama.cpp server, vLLM, a hosted service).
The model sees only the retrieved passages, numbered, and must mark each sentence with [n].
We then keep a sentence only if each passage it cites really supports it (enough of its
content words appear in that passage); unsupported sentences are dropped and the answer says
so. A timeout, an HTTP error or a reply we cannot use raises ``LLMFailure`` and the assistant
falls back to its extractive answer with a notice.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from cpguide.index.lexical import tokenize
from cpguide.ingest.sentences import sentence_spans
from cpguide.records import Answer, Hit

SUPPORT = 0.5  # share of a sentence's content words that must appear in a cited passage

SYSTEM_PROMPT = (
    "You answer questions about corporate parenting guidance for councillors and partner agencies "
    "in England and Wales. Use ONLY the numbered passages given. Write 2 to 5 short sentences or "
    "bullets in plain English. End every sentence with the number of the passage it comes from in "
    "square brackets, like [1] or [2][3]. Keep the passages' wording where you can. If the passages "
    "do not answer the question, reply exactly: NOT COVERED. Say when a point applies to England or "
    "to Wales only."
)


class LLMFailure(Exception):
    """The model could not give a usable answer; the caller falls back."""


@dataclass(frozen=True)
class LLMClient:
    url: str
    model: str
    api_key: str = ""
    timeout: float = 30.0

    def _endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"

    def complete(self, messages: list[dict]) -> str:
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0.1, "stream": False}).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self._endpoint(), data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise LLMFailure(f"the endpoint answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LLMFailure(f"could not reach {self.url}: {reason}") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise LLMFailure("the reply was not JSON") from None
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise LLMFailure("the reply had no choices[0].message.content") from None
        if not isinstance(content, str) or not content.strip():
            raise LLMFailure("the reply was empty")
        return content

    def answer(self, question: str, resolved: str, hits: list[Hit], assistant) -> Answer:
        passages = "\n\n".join(
            f"[{i}] {h.title} ({h.publisher}, {h.year or 'n.d.'}, {h.jurisdiction.title()}), {h.section}:\n{h.text}"
            for i, h in enumerate(hits, 1)
        )
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {resolved}"},
        ]
        reply = self.complete(messages)
        if "NOT COVERED" in reply.upper() and len(reply) < 40:
            return assistant._abstain(question, resolved, hits)
        return check_reply(reply, question, resolved, hits, assistant)


def _support(sentence: str, passage: str) -> float:
    words = set(tokenize(re.sub(r"\[\d+\]", " ", sentence)))
    if not words:
        return 0.0
    return len(words & set(tokenize(passage))) / len(words)


def check_reply(reply: str, question: str, resolved: str, hits: list[Hit], assistant) -> Answer:
    """Keep sentences whose every [n] exists and supports them; renumber citations compactly."""
    lines: list[str] = []
    citations = []
    number_of: dict[tuple[str, int, int], int] = {}
    dropped = 0
    body = re.sub(r"^\s*[-*•]\s*", "", reply.strip(), flags=re.M)
    for s, e in sentence_spans(body):
        sentence = body[s:e].strip()
        markers = [int(m) for m in re.findall(r"\[(\d+)\]", sentence)]
        text = re.sub(r"\s*\[\d+\]", "", sentence).strip()
        if not text:
            continue
        if not markers or any(not 1 <= m <= len(hits) for m in markers):
            dropped += 1
            continue
        if any(_support(text, hits[m - 1].text) < SUPPORT for m in markers):
            dropped += 1
            continue
        refs = []
        for m in markers:
            hit = hits[m - 1]
            quote_start, quote_end = _best_quote(text, hit)
            key = (hit.doc_id, quote_start, quote_end)
            if key not in number_of:
                doc = assistant.library.document(hit.doc_id)
                number_of[key] = len(citations) + 1
                citations.append(assistant.citation(number_of[key], hit, doc.text[quote_start:quote_end],
                                                    quote_start, quote_end))
            refs.append(f"[{number_of[key]}]")
        lines.append(f"- {text} {''.join(refs)}")
    if not lines:
        raise LLMFailure("no sentence of the reply was supported by the passages it cited")
    notices = ()
    if dropped:
        notices = (f"{dropped} sentence(s) of the model's reply were left out because the passages "
                   "they cited did not support them.",)
    return Answer(question=question, answer="\n".join(lines), citations=tuple(citations), abstained=False,
                  notices=notices, resolved_question=resolved, mode="llm")


def _best_quote(sentence: str, hit: Hit) -> tuple[int, int]:
    """The passage sentence that shares most words with the model's sentence, as document offsets."""
    words = set(tokenize(sentence))
    best, best_score = (hit.start, hit.end), -1.0
    for s, e in sentence_spans(hit.text):
        overlap = len(words & set(tokenize(hit.text[s:e])))
        if overlap > best_score:
            best, best_score = (hit.start + s, hit.start + e), overlap
    return best
