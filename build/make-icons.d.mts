export declare function renderPng(size: number): Buffer;
export declare function renderSvg(): string;
